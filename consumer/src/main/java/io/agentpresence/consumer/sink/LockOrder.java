package io.agentpresence.consumer.sink;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Sorts a batch's changes into the order the writers lock rows in: by step, then by userId as
 * {@link String#compareTo} orders them. Every writer takes its rows in that one order, which is the primary key's
 * ({@code utf8mb4_bin}, by code point) but for characters above U+FFFF against those from U+E000 up, so InnoDB's
 * locks, gap locks included, are taken ascending. The same order as sorting with a comparator, for a
 * fraction of the comparisons: the ids are ordered by a few characters at a time packed into a {@code long}
 * (sorted as primitives), starting after the prefix they all share, and only ids that tie on those characters are
 * sorted further, the same way. Ids in a batch usually share a prefix ({@code agent-}, {@code user-0}) that a
 * comparator would compare again and again.
 */
final class LockOrder {

    private static final Comparator<PresenceChange> BY_STEP = Comparator.comparingInt(PresenceChange::step);
    private static final Comparator<PresenceChange> BY_USER = Comparator.comparing(PresenceChange::userId);
    /** Ranges this short are sorted by comparing the ids themselves. */
    private static final int SMALL = 12;
    /** Positions a range can hold in the low bits of a packed key. */
    private static final int MAX_RANGE = 1 << 16;

    private LockOrder() {
    }

    /** Sorts {@code changes} in place: by step, then by userId. */
    static void sort(PresenceChange[] changes) {
        if (changes.length <= SMALL) {
            // a handful, as in steady traffic: no keys to make
            Arrays.sort(changes, BY_STEP.thenComparing(BY_USER));
            return;
        }
        if (!sameStep(changes)) {
            Arrays.sort(changes, BY_STEP);
        }
        long[] keys = new long[changes.length];
        PresenceChange[] scratch = new PresenceChange[changes.length];
        for (int from = 0; from < changes.length; ) {
            int to = from + 1;
            while (to < changes.length && changes[to].step() == changes[from].step()) {
                to++;
            }
            byUser(changes, from, to, 0, keys, scratch);
            from = to;
        }
    }

    private static boolean sameStep(PresenceChange[] changes) {
        for (PresenceChange change : changes) {
            if (change.step() != changes[0].step()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Sorts {@code changes[from, to)} by userId, all of whose ids agree on their first {@code depth} characters.
     * Each id becomes a key: the characters after the shared prefix, 6 of them in 8 bits each when they are all
     * below {@code 0xFF}, else 3 in 16 bits, each stored as its value + 1 so that 0 stands for "the id ended"
     * (which sorts first, as {@code compareTo} puts a prefix before the longer id), then the id's place in the
     * range. Keys that differ order their ids; ids whose keys tie share those characters too and are sorted the
     * same way from there, unless they ended within them, which makes them equal.
     */
    private static void byUser(PresenceChange[] changes, int from, int to, int depth, long[] keys,
                               PresenceChange[] scratch) {
        int n = to - from;
        if (n < 2) {
            return;
        }
        if (n <= SMALL || n > MAX_RANGE) {
            Arrays.sort(changes, from, to, BY_USER);
            return;
        }
        int start = sharedPrefix(changes, from, to, depth);
        int bits = maxChar(changes, from, to, start, 6) < 0xFF ? 8 : 16;
        int width = 48 / bits;
        if (bits == 16 && maxChar(changes, from, to, start, width) == 0xFFFF) {
            // 0xFFFF + 1 does not fit in 16 bits
            Arrays.sort(changes, from, to, BY_USER);
            return;
        }
        for (int i = from; i < to; i++) {
            keys[i] = (pack(changes[i].userId(), start, width, bits) << 16 | (i - from)) ^ Long.MIN_VALUE;
        }
        Arrays.sort(keys, from, to);
        for (int i = from; i < to; i++) {
            scratch[i] = changes[from + (int) (keys[i] & 0xFFFF)];
        }
        System.arraycopy(scratch, from, changes, from, n);
        for (int run = from; run < to; ) {
            long chars = keys[run] >>> 16;
            int end = run + 1;
            while (end < to && keys[end] >>> 16 == chars) {
                end++;
            }
            // the last character of the window is not "ended": the ids go on, and so does the sort
            if (end - run > 1 && (chars & ((1L << bits) - 1)) != 0) {
                byUser(changes, run, end, start + width, keys, scratch);
            }
            run = end;
        }
    }

    /** How many characters all ids of the range share, knowing they share the first {@code depth}. */
    private static int sharedPrefix(PresenceChange[] changes, int from, int to, int depth) {
        String first = changes[from].userId();
        int shared = first.length();
        for (int i = from + 1; i < to && shared > depth; i++) {
            String id = changes[i].userId();
            int limit = Math.min(shared, id.length());
            int k = depth;
            while (k < limit && id.charAt(k) == first.charAt(k)) {
                k++;
            }
            shared = k;
        }
        return shared;
    }

    private static int maxChar(PresenceChange[] changes, int from, int to, int start, int width) {
        int max = 0;
        for (int i = from; i < to; i++) {
            String id = changes[i].userId();
            for (int k = start, end = Math.min(id.length(), start + width); k < end; k++) {
                max = Math.max(max, id.charAt(k));
            }
        }
        return max;
    }

    /** {@code width} characters of {@code id} from {@code start}, each + 1 in {@code bits} bits; 0 past the end. */
    private static long pack(String id, int start, int width, int bits) {
        long key = 0;
        for (int k = start; k < start + width; k++) {
            key = key << bits | (k < id.length() ? id.charAt(k) + 1 : 0);
        }
        return key;
    }
}
