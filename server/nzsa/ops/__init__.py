"""Operations: admission, the ASGI gateway, health, metrics and logs."""
