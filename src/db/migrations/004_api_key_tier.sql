-- Client profiles (limits per tier): an API key may carry a tier, which an operator sets with the
-- admin CLI (set-key-tier), never its owner through the API. NULL: no tier, the default profile.
-- The name is a short lowercase token, so it can appear in configuration, logs and metric labels.
ALTER TABLE api_keys ADD COLUMN tier text
  CONSTRAINT api_keys_tier_check CHECK (tier ~ '^[a-z0-9][a-z0-9_-]{0,31}$');
