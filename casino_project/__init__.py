"""Django project of the casino operator's side of the PLATFORM integration."""
