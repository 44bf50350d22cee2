"""Dates as staff and players read them: ISO, compact, unambiguous (UTC is the site's time
zone), e.g. "2026-12-01 10:46" rather than "Dec. 1, 2026, 10:46 a.m." (which wraps in a list).
Django's own English formats are used for everything else."""

DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
