"""The clinic console: server-rendered pages for clinicians and admins at `/console`, on the
same service functions (and so the same scoping and audit) as the API."""
