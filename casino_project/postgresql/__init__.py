"""Django's PostgreSQL backend with pooled connections leased to their thread (`base`)."""
