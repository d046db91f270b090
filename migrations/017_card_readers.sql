-- Each reader sees an approval card in their own language (issue 13): the card's words are kept
-- in both languages at proposal time (title, business name of the action, target, and per field the
-- current value, the new one and where it was read), and every copy records whom it was sent to,
-- so each redraw is drawn for its reader. Older rows have neither and keep the request's language.
ALTER TABLE approvals ADD COLUMN card jsonb;
ALTER TABLE approval_messages ADD COLUMN reader_id text;
