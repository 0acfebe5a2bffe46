package dev.domicile.session;

/**
 * The Lua scripts that make each changing session operation one atomic round trip on the home Redis. Loading needs
 * no script: it is a plain {@code HGETALL}, checked in Java (see {@link SessionLoader}).
 *
 * <p>Design note. A session is a hash: {@code _c} created, {@code _a} last recorded use, {@code _u} user, {@code _p}
 * home partition, {@code _t} authentication time (times in epoch milliseconds from the store's clock),
 * {@code a:<name>} attributes, {@code t:<partition>} causal tokens, {@code _f}/{@code _fu} target id and deadline of a
 * re-homing in progress. Two kinds of tombstone keep the session's TTL: {@code _m} (re-homed; the new id) and
 * {@code _r} (revoked). Each user has, per site, a revocation marker (sessions authenticated at or before it are
 * dead) and an index of the session keys created for the user there; both share the hash tag of the user's session
 * keys, so every script stays in one Redis Cluster slot.
 *
 * <p>Common arguments of {@link #SAVE}, {@link #TOUCH}, {@link #TAKE}, {@link #FREEZE}: ARGV[1] now, ARGV[2] idle
 * timeout, ARGV[3] absolute timeout (milliseconds). The timeouts are checked with the store's clock and also
 * enforced by Redis through the key's TTL.
 */
final class Scripts {

    private static final String GATE = """
            local function gate(key, c, a, m, r)
              if r then return {'revoked'} end
              if m then return {'moved', m} end
              if not c then return {'none'} end
              local now = tonumber(ARGV[1])
              if now - tonumber(c) >= tonumber(ARGV[3]) then redis.call('DEL', key) return {'absolute'} end
              if now - tonumber(a) >= tonumber(ARGV[2]) then redis.call('DEL', key) return {'idle'} end
              return nil
            end
            local function frozen(f, fu)
              return f and tonumber(fu) > tonumber(ARGV[1])
            end
            local function expire(key, c)
              local left = tonumber(c) + tonumber(ARGV[3]) - tonumber(ARGV[1])
              redis.call('PEXPIRE', key, math.max(1, math.min(tonumber(ARGV[2]), left)))
            end
            """;

    /** Records a use: the access time and a fresh TTL. Returns {'ok'} or a gate status. */
    static final String TOUCH = GATE + """
            local m = redis.call('HMGET', KEYS[1], '_c', '_a', '_m', '_r')
            local bad = gate(KEYS[1], m[1], m[2], m[3], m[4])
            if bad then return bad end
            redis.call('HSET', KEYS[1], '_a', ARGV[1])
            expire(KEYS[1], m[1])
            return {'ok'}
            """;

    /**
     * Applies an edit: ARGV[4] n, then n field/value pairs to set, then fields to delete. Returns {'ok'} or a gate
     * status. The same checks as {@code GATE} and {@code frozen}, written out: this is the hot path, and it passes the
     * idle timeout to {@code PEXPIRE} as the string it received (the common case) rather than as a Lua number that
     * Redis would have to format.
     */
    static final String SAVE = """
            local m = redis.call('HMGET', KEYS[1], '_c', '_a', '_m', '_r', '_f', '_fu')
            if m[4] then return {'revoked'} end
            if m[3] then return {'moved', m[3]} end
            if not m[1] then return {'none'} end
            local now = tonumber(ARGV[1])
            local left = tonumber(m[1]) + tonumber(ARGV[3]) - now
            if left <= 0 then redis.call('DEL', KEYS[1]) return {'absolute'} end
            local idle = tonumber(ARGV[2])
            if now - tonumber(m[2]) >= idle then redis.call('DEL', KEYS[1]) return {'idle'} end
            if m[5] and tonumber(m[6]) > now then return {'moved', m[5]} end
            local n = tonumber(ARGV[4])
            redis.call('HSET', KEYS[1], '_a', ARGV[1], unpack(ARGV, 5, 4 + 2 * n))
            if #ARGV >= 5 + 2 * n then redis.call('HDEL', KEYS[1], unpack(ARGV, 5 + 2 * n, #ARGV)) end
            if left >= idle then
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
            else
              redis.call('PEXPIRE', KEYS[1], string.format('%d', left))
            end
            return {'ok'}
            """;

    /** Reads and deletes a session in one step (id renewal: the old id is dead once this returns). */
    static final String TAKE = GATE + """
            local h = redis.call('HGETALL', KEYS[1])
            local f = {}
            for i = 1, #h, 2 do f[h[i]] = h[i + 1] end
            local bad = gate(KEYS[1], f['_c'], f['_a'], f['_m'], f['_r'])
            if bad then return bad end
            if frozen(f['_f'], f['_fu']) then return {'moved', f['_f']} end
            redis.call('DEL', KEYS[1])
            table.insert(h, 1, 'ok')
            return h
            """;

    /**
     * Freezes a session for re-homing to ARGV[4] until ARGV[5] and returns it. While frozen, saves and renewals are
     * refused as moved, so nothing can be written between the copy and the tombstone. Returns {'changed'} if another
     * re-homing holds the freeze.
     */
    static final String FREEZE = GATE + """
            local h = redis.call('HGETALL', KEYS[1])
            local f = {}
            for i = 1, #h, 2 do f[h[i]] = h[i + 1] end
            local bad = gate(KEYS[1], f['_c'], f['_a'], f['_m'], f['_r'])
            if bad then return bad end
            if frozen(f['_f'], f['_fu']) then return {'changed'} end
            redis.call('HSET', KEYS[1], '_f', ARGV[4], '_fu', ARGV[5])
            table.insert(h, 1, 'ok')
            return h
            """;

    /**
     * Writes a whole session. ARGV[1] authentication time, ARGV[2] TTL, ARGV[3] the user's marker key or '',
     * ARGV[4] 'fresh' (a new id: refuse to overwrite; authenticate after any marker) or 'copy' (renewal, re-homing:
     * replace, but refuse if the copied authentication is revoked), ARGV[5] the user's index key or '', ARGV[6] the
     * index TTL, then field/value pairs. Returns {'ok'}, {'exists'} or {'revoked'}.
     */
    static final String CREATE = """
            if ARGV[4] == 'fresh' and redis.call('EXISTS', KEYS[1]) == 1 then return {'exists'} end
            local auth = ARGV[1]
            if ARGV[3] ~= '' then
              local r = redis.call('GET', ARGV[3])
              if r and tonumber(r) >= tonumber(auth) then
                if ARGV[4] == 'copy' then redis.call('DEL', KEYS[1]) return {'revoked'} end
                auth = string.format('%d', tonumber(r) + 1)
              end
            end
            redis.call('DEL', KEYS[1])
            redis.call('HSET', KEYS[1], unpack(ARGV, 7))
            if ARGV[3] ~= '' then
              redis.call('HSET', KEYS[1], '_t', auth)
              redis.call('SADD', ARGV[5], KEYS[1])
              redis.call('PEXPIRE', ARGV[5], ARGV[6])
            end
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return {'ok'}
            """;

    /**
     * Replaces a session frozen for ARGV[1] by a forwarding pointer to ARGV[1], keeping its TTL, if the freeze still
     * holds at ARGV[2]. Returns {'ok'}, {'changed'} (the freeze is not ours or ran out), {'none'}, {'revoked'} or
     * {'moved', id}.
     */
    static final String TOMBSTONE = """
            local m = redis.call('HMGET', KEYS[1], '_f', '_m', '_c', '_fu', '_r')
            if m[5] then return {'revoked'} end
            if m[2] then return {'moved', m[2]} end
            if not m[3] then return {'none'} end
            if m[1] ~= ARGV[1] or tonumber(m[4]) <= tonumber(ARGV[2]) then return {'changed'} end
            local ttl = redis.call('PTTL', KEYS[1])
            redis.call('DEL', KEYS[1])
            redis.call('HSET', KEYS[1], '_m', ARGV[1])
            if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
            return {'ok'}
            """;

    /** Lifts a freeze held for ARGV[1] (a re-homing that failed before its tombstone). */
    static final String THAW = """
            if redis.call('HGET', KEYS[1], '_f') == ARGV[1] then redis.call('HDEL', KEYS[1], '_f', '_fu') end
            return {'ok'}
            """;

    /**
     * Revokes a user in this site: raises the marker KEYS[1] to ARGV[1] (never lowers it; TTL ARGV[2]), turns every
     * session in the user's index (ARGV[5]) authenticated at or before ARGV[1] into a revoked tombstone, and
     * announces the user ARGV[4] on channel ARGV[3]. Returns {'ok', count}.
     */
    static final String REVOKE = """
            local cur = redis.call('GET', KEYS[1])
            if (not cur) or tonumber(cur) < tonumber(ARGV[1]) then
              redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            end
            local count = 0
            for _, key in ipairs(redis.call('SMEMBERS', ARGV[5])) do
              local t = redis.call('HGET', key, '_t')
              if t and tonumber(t) <= tonumber(ARGV[1]) then
                local ttl = redis.call('PTTL', key)
                redis.call('DEL', key)
                redis.call('HSET', key, '_r', ARGV[1])
                if ttl > 0 then redis.call('PEXPIRE', key, ttl) end
                count = count + 1
              end
            end
            redis.call('PUBLISH', ARGV[3], ARGV[4])
            return {'ok', tostring(count)}
            """;

    /** Deletes a session (logout). */
    static final String DELETE = """
            redis.call('DEL', KEYS[1])
            return {'ok'}
            """;

    private Scripts() {
    }
}
