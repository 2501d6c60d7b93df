-- Issue 20: calendar invites. Each booked, moved or cancelled interview mails the candidate
-- an iCalendar invite whose SEQUENCE must grow with every change (RFC 5546: clients ignore
-- an update whose SEQUENCE is not higher than the one they hold). 0 = no invite sent yet.
ALTER TABLE interviews ADD COLUMN ical_sequence integer NOT NULL DEFAULT 0 CHECK (ical_sequence >= 0);
