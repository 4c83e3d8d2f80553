-- Issue 32: timed work claimed once across hosts (docs/scale-out.md). A scheduled
-- message is taken by one process, with a lease, before it is sent (a process that dies
-- while sending lets it go when the lease ends); a site-wide chore (the daily purges,
-- the directory re-check) runs where its named lease was won.
ALTER TABLE scheduled_messages ADD COLUMN claimed_by TEXT;
ALTER TABLE scheduled_messages ADD COLUMN claimed_until TEXT;

CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    claimed_by TEXT NOT NULL,
    claimed_until TEXT NOT NULL
);
