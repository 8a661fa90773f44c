"""Notifications to SHG members and coordinators: templates, the outbox, and senders."""
