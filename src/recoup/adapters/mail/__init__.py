"""Mailboxes: where replies and bounces are read from (Maildir folders, IMAP)."""
