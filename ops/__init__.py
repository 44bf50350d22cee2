"""Operations: health and metrics endpoints, structured logs, rate limiting, the API schema."""
