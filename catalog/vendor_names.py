"""Display names of the PLATFORM's vendor codes ("playngo" -> "Play'n GO").

The PLATFORM sends a vendor as a code. `catalog.Vendor` keeps the name we show for each code;
staff edit it in the admin. Its rows start from `KNOWN_VENDOR_NAMES` (the data migration, and
the catalog sync for a code it has not seen before); a code we know nothing of starts as its
own words capitalised ("new_vendor" -> "New Vendor").
"""

from __future__ import annotations

KNOWN_VENDOR_NAMES: dict[str, str] = {
    "bgaming": "BGaming",
    "betsoft": "Betsoft",
    "bigtimegaming": "Big Time Gaming",
    "booongo": "Booongo",
    "elk": "ELK Studios",
    "endorphina": "Endorphina",
    "evolution": "Evolution",
    "evoplay": "Evoplay",
    "ezugi": "Ezugi",
    "habanero": "Habanero",
    "hacksaw": "Hacksaw Gaming",
    "isoftbet": "iSoftBet",
    "live168": "Live168",
    "microgaming": "Microgaming",
    "netent": "NetEnt",
    "nolimit": "Nolimit City",
    "playngo": "Play'n GO",
    "playson": "Playson",
    "playtech": "Playtech",
    "portomaso": "Portomaso Gaming",
    "pragmatic": "Pragmatic Play",
    "pushgaming": "Push Gaming",
    "quickspin": "Quickspin",
    "redtiger": "Red Tiger",
    "relax": "Relax Gaming",
    "spribe": "Spribe",
    "thunderkick": "Thunderkick",
    "wazdan": "Wazdan",
    "yggdrasil": "Yggdrasil",
}


def default_vendor_name(code: str) -> str:
    """The name a vendor code starts with: the known name, else its words capitalised."""
    known = KNOWN_VENDOR_NAMES.get(code.strip().lower())
    if known:
        return known
    words = code.replace("_", " ").replace("-", " ").split()
    return " ".join(word[:1].upper() + word[1:] for word in words) or code
