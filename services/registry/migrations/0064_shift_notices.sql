-- A notice about a dated shift (a place came free from its waiting list): which shift, for its date and time.
ALTER TABLE notices ADD COLUMN shift_id uuid;
