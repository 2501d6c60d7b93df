-- Hidden parts of a parsed CV (issue 6, prompt-injection defence): text a reader would not
-- see (white/near-background, invisible render mode, tiny or off-page in PDFs; vanished,
-- white or tiny runs in DOCX), comments, tracked deletions, headers/footers/footnotes the
-- raw text omits, and document metadata. One JSON value sealed with the candidate key,
-- AAD org|documents|hidden_enc|id, like text_enc. Read only by the injection detector;
-- never sent to a model. NULL for documents parsed before this column existed.
ALTER TABLE documents ADD COLUMN hidden_enc bytea;
