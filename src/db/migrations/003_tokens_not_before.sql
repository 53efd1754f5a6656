-- When logoutEverywhere (or a password reset) last ended the user's tokens. Our own access tokens
-- carry token_version; tokens of an external OIDC issuer do not, so their `iat` is checked
-- against this instead (NULL: never).
ALTER TABLE users ADD COLUMN tokens_not_before timestamptz(3);
