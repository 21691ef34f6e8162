"""Signals organisations sends, for apps above it that must react to membership changes.

They are sent inside the service's transaction, after the membership row is saved, so a
receiver's writes commit or roll back with it.
"""

from django.dispatch import Signal

# A membership has just become active (approved, invitation accepted, added by an admin).
# Arguments: membership.
membership_activated = Signal()
