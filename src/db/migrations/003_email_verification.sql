-- Verified sign-up (issue 13): an account made by `register` signs in with its password only once
-- its address is proven, by the mailed verification link (verifyEmail) or a completed password
-- reset. Accounts that existed before this migration signed in already: they stay verified.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz(3);
UPDATE users SET email_verified_at = created_at;

-- Single-use, 24-hour verification links; only the SHA-256 of the token is stored.
CREATE TABLE email_verification_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  expires_at timestamptz(3) NOT NULL,
  used_at timestamptz(3),
  created_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX email_verification_tokens_user_idx ON email_verification_tokens (user_id);

-- Several reset links may be outstanding at once now (at most 3): found per account.
CREATE INDEX password_reset_tokens_user_idx ON password_reset_tokens (user_id, created_at DESC);
