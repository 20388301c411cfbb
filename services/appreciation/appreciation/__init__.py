"""Appreciation: milestones, thanks and certificates for volunteers; never payment."""
