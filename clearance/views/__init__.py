"""Pages: thin views that read through clearance.access, call one action, then redirect."""
