-- Schema the daily-stats batch expects. Apply once: psql "$DATABASE_URL" -f handlers/daily-stats.sql
CREATE TABLE IF NOT EXISTS transactions (
  id          bigserial PRIMARY KEY,
  user_id     bigint        NOT NULL,
  amount      numeric(14,2) NOT NULL,
  created_at  timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS transactions_created_at_idx ON transactions (created_at);

CREATE TABLE IF NOT EXISTS daily_user_stats (
  day          date          NOT NULL,
  user_id      bigint        NOT NULL,
  tx_count     integer       NOT NULL,
  total_amount numeric(16,2) NOT NULL,
  computed_at  timestamptz   NOT NULL DEFAULT now(),
  PRIMARY KEY (day, user_id)
);
