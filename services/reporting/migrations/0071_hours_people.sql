-- The people behind an hours cell, counted in time linear in the buckets read (issue 20, point 6).
--
-- A read used to join every bucket's people (agg_hours.persons, at most five each) into one array per cell
-- with reporting_concat (array_cat: each step copies what it has, so a cell of n buckets cost n^2) and count
-- them distinct. All suppression needs is how many distinct people there are up to five
-- (kpis.MIN_PEOPLE): reporting_few_people keeps the distinct people seen so far and stops looking once it
-- has `cap` of them, so each bucket costs a few comparisons. Its result merges again the same way (a wijk's
-- cells into the municipality's), and min(cardinality(result), cap) is exactly min(count(DISTINCT all), cap).

CREATE FUNCTION reporting_few_people_step(state uuid[], persons uuid[], cap integer) RETURNS uuid[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    person uuid;
BEGIN
    IF cardinality(state) >= cap OR persons IS NULL THEN
        RETURN state;
    END IF;
    FOREACH person IN ARRAY persons LOOP
        IF person IS NOT NULL AND NOT person = ANY (state) THEN
            state := state || person;
            IF cardinality(state) >= cap THEN
                RETURN state;
            END IF;
        END IF;
    END LOOP;
    RETURN state;
END
$$;

CREATE AGGREGATE reporting_few_people(uuid[], integer) (
    SFUNC = reporting_few_people_step, STYPE = uuid[], INITCOND = '{}'
);
