"""Files: uploads, avatars, and who may fetch a stored file."""
