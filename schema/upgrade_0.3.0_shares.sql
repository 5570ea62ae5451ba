-- Convert the share tables registered by 0.3.0 (in the direct update
-- 0.3.0 -> 0.6.0, built by make from the released scripts with this block
-- in place of the 0.3.0 -> 0.4.0 one): each trigger that calls
-- secant.share_trigger() is replaced by the triggers of
-- secant.enable_sharing(), and its copies are copied into secant.copies.
-- The copies are read with SELECT only, and moved only when the copy
-- column is exactly pre_ciphertext, the recipient column exactly
-- pre_public_key and the reference column of a built-in type: no
-- expression over the table evaluates anything its owner declared (a
-- cast, a function), as the superuser running the update.  A table whose
-- columns sharing cannot take is left unshared, with a WARNING, and the
-- update goes on.  The old copy columns are left in place: a WARNING names
-- each one to clear.
DO $$
DECLARE
    t record;
    a text[];
    n bigint;
BEGIN
    FOR t IN
        SELECT tg.tgrelid::pg_catalog.regclass AS share_table, tg.tgname,
               pg_catalog.encode(tg.tgargs, 'escape') AS args
        FROM pg_catalog.pg_trigger tg
        WHERE tg.tgfoid OPERATOR(pg_catalog.=) 'secant.share_trigger()'::pg_catalog.regprocedure
        ORDER BY tg.tgrelid
    LOOP
        a := pg_catalog.string_to_array(pg_catalog.rtrim(t.args, E'\\000'), E'\\000');
        IF pg_catalog.cardinality(a) OPERATOR(pg_catalog.<>) 6 THEN
            RAISE WARNING 'secant_pre 0.6.0: trigger % on % has % arguments: not converted; drop it',
                t.tgname, t.share_table, pg_catalog.cardinality(a);
            CONTINUE;
        END IF;
        -- the three columns, of exactly these types (a type's OID, never
        -- its name: the reference column's type is in pg_catalog)
        PERFORM 1
        FROM pg_catalog.pg_attribute r
        JOIN pg_catalog.pg_type ty ON ty.oid OPERATOR(pg_catalog.=) r.atttypid
        JOIN pg_catalog.pg_attribute k ON k.attrelid OPERATOR(pg_catalog.=) r.attrelid
        JOIN pg_catalog.pg_attribute c ON c.attrelid OPERATOR(pg_catalog.=) r.attrelid
        WHERE r.attrelid OPERATOR(pg_catalog.=) t.share_table
          AND r.attname OPERATOR(pg_catalog.=) a[4] AND NOT r.attisdropped
          AND ty.typnamespace OPERATOR(pg_catalog.=) 'pg_catalog'::pg_catalog.regnamespace
          AND k.attname OPERATOR(pg_catalog.=) a[5] AND NOT k.attisdropped
          AND k.atttypid OPERATOR(pg_catalog.=) '@extschema@.pre_public_key'::pg_catalog.regtype
          AND c.attname OPERATOR(pg_catalog.=) a[6] AND NOT c.attisdropped
          AND c.atttypid OPERATOR(pg_catalog.=) '@extschema@.pre_ciphertext'::pg_catalog.regtype;
        IF FOUND THEN
            EXECUTE pg_catalog.format(
                'INSERT INTO secant.copies (share_table, source_table, source_row, recipient, copy, hop_keys, created_by) '
                'SELECT %L::pg_catalog.regclass, %L::pg_catalog.regclass, s.%I::pg_catalog.text, s.%I, s.%I, '
                '@extschema@.pre_hop_keys(s.%I), %L FROM %s AS s '
                'WHERE s.%I IS NOT NULL AND s.%I IS NOT NULL AND s.%I IS NOT NULL '
                'ON CONFLICT (share_table, source_row, recipient) DO NOTHING',
                t.share_table, a[1], a[4], a[5], a[6], a[6], 'secant_pre upgrade', t.share_table,
                a[4], a[5], a[6]);
            GET DIAGNOSTICS n = ROW_COUNT;
        ELSE
            n := 0;
            RAISE WARNING 'secant_pre 0.6.0: copies of % not moved (column % must be of a built-in type, % of type pre_public_key, % of type pre_ciphertext)',
                t.share_table, a[4], a[5], a[6];
        END IF;
        EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', t.tgname, t.share_table);
        BEGIN
            PERFORM secant.enable_sharing(t.share_table, a[1]::pg_catalog.regclass, a[2], a[3], a[4], a[5]);
        EXCEPTION WHEN OTHERS THEN
            -- (a column of another type than sharing needs: the update
            -- goes on without this table's sharing)
            RAISE WARNING 'secant_pre 0.6.0: % is no longer shared: %', t.share_table, SQLERRM
                USING HINT = 'Fix the column, then call secant.enable_sharing() for it.';
        END;
        RAISE WARNING 'secant_pre 0.6.0: % copies of %.% now live in secant.copies; that column still holds them and revocation no longer deletes them there',
            n, t.share_table, a[6]
            USING HINT = pg_catalog.format('Clear it: UPDATE %s SET %I = NULL;', t.share_table, a[6]);
    END LOOP;
END $$;
