package io.agentpresence.consumer.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** The lock order is exactly the order of a comparator by step, then {@link String#compareTo} of the ids. */
class LockOrderTest {

    private static final Comparator<PresenceChange> REFERENCE = Comparator.comparingInt(PresenceChange::step)
            .thenComparing(PresenceChange::userId);

    @Property(tries = 500)
    void sortsAsTheComparatorDoes(@ForAll("batches") List<PresenceChange> batch) {
        assertSortedAsTheComparator(batch.toArray(new PresenceChange[0]));
    }

    @Example
    void idsThatShareLongPrefixesAndEndAtEveryPlaceAreSortedAsTheComparator() {
        // ties on every window of characters, ids that are prefixes of others, characters at each packing's limits
        String[] tails = {"", "a", "a\u0000", "a\u0000\u0000", "\u00FE", "\u00FF", "\u0100", "\uFFFE",
            "\uD83D\uDE00", "zzzzzzzzzzzzzzzz", "zzzzzzzzzzzzzzzy", "zzzzzzzzzzzzzzz"};
        List<PresenceChange> changes = new ArrayList<>(IntStream.range(0, 400)
                .mapToObj(i -> change("agent-0000000000-" + tails[i % tails.length] + (i % 7 == 0 ? "" : i), i % 2))
                .toList());
        // longer ids first, so that an id's place in the input cannot put it before the prefix it extends
        Collections.reverse(changes);
        assertSortedAsTheComparator(changes.toArray(new PresenceChange[0]));
        Collections.shuffle(changes, new Random(7));
        assertSortedAsTheComparator(changes.toArray(new PresenceChange[0]));
    }

    @Example
    void aRangeLargerThanAKeyCanNumberIsSortedAsTheComparator() {
        PresenceChange[] changes = IntStream.range(0, 70_000).map(i -> (i * 7919) % 70_000)
                .mapToObj(i -> change("user-" + i, 1)).toArray(PresenceChange[]::new);
        assertSortedAsTheComparator(changes);
    }

    /**
     * Batches of ids sharing a prefix, from a small alphabet, so that ids tie on the characters a key holds and
     * some end where others go on: each alphabet takes one packing (8 bits, 16 bits, and 0xFFFF, which neither holds).
     */
    @Provide
    Arbitrary<List<PresenceChange>> batches() {
        char[][] alphabets = {{'\u0000', 'a', 'b', '\u00FE'}, {'a', 'b', '\u00FF'}, {'a', '\u00FF', '\u0100'},
            {'\u0000', 'x', '\uD800', '\uFFFE'}, {'a', '\uFFFF'}};
        return Arbitraries.of(alphabets).flatMap(alphabet -> {
            Arbitrary<String> prefix = Arbitraries.of("", "agent-", "user-0000");
            Arbitrary<String> tail = Arbitraries.strings().withChars(alphabet).ofMinLength(0).ofMaxLength(12);
            // mostly one step, as most batches are; sometimes several
            Arbitrary<Integer> step = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just(1)),
                    Tuple.of(2, Arbitraries.integers().between(0, 9)));
            return prefix.flatMap(p -> Combinators.combine(tail, step).as((t, st) -> change(p + t, st))
                    .list().ofMinSize(0).ofMaxSize(300));
        });
    }

    private static void assertSortedAsTheComparator(PresenceChange[] changes) {
        PresenceChange[] expected = changes.clone();
        Arrays.sort(expected, REFERENCE);
        LockOrder.sort(changes);
        assertThat(Arrays.stream(changes).map(LockOrderTest::key).toList())
                .isEqualTo(Arrays.stream(expected).map(LockOrderTest::key).toList());
    }

    private static String key(PresenceChange change) {
        return change.step() + ":" + change.userId();
    }

    private static PresenceChange change(String userId, int step) {
        return new PresenceChange(PresenceChange.Kind.STATUS, userId, "online", 1, null, 0, step);
    }
}
