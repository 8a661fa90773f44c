"""The digest by e-mail: who subscribed to which part of the mission, the signed page links, SES."""
