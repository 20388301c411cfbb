-- person_activity's month arrays stored with their full header (issue 20: the fold's cost per hours row).
--
-- The arrays (12 elements) are small enough for PostgreSQL to store them with a one-byte header, and every
-- subscript of such a value copies the whole array into a normal one first. The fold subscripts them dozens of
-- times per row: the upsert adds the new hours element by element (reporting_added), and agg_active's
-- statement sums the months of each period. Profiled in the NLdoet burst, that copying
-- was an eighth of the fold's CPU. PLAIN storage keeps the normal header (a few bytes more per array; they
-- never come near the size at which compression or TOAST would have helped). Rows written before keep the
-- short header until the fold or a rebuild writes them again (the rebuild copies the storage with LIKE).
ALTER TABLE person_activity
    ALTER COLUMN centi SET STORAGE PLAIN,
    ALTER COLUMN entries SET STORAGE PLAIN,
    ALTER COLUMN nldoet SET STORAGE PLAIN;
