-- The auth test service owns no tables of its own: the runtime's credentials table is all it needs.
SELECT 1;
