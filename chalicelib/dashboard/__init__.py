"""The mission dashboard (`GET /dashboard`): today, yesterday and month to date for one scope."""
