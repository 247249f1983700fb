package io.agentpresence.consumer.sink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UpsertInfoTest {

    @Test
    void theInfoLineSplitsAMultiRowUpsert() {
        // 5 rows: 2 inserted (1 each), 2 updated (2 each), 1 unchanged (0) -> affected 6, duplicates 2
        assertThat(UpsertInfo.split(5, 6, "Records: 5  Duplicates: 2  Warnings: 0"))
                .isEqualTo(new WriteResult(2, 2, 1, 0, 0));
    }

    @Test
    void oneRowNeedsNoInfoLine() {
        assertThat(UpsertInfo.split(1, 1, null)).isEqualTo(new WriteResult(1, 0, 0, 0, 0));
        assertThat(UpsertInfo.split(1, 2, null)).isEqualTo(new WriteResult(0, 1, 0, 0, 0));
        assertThat(UpsertInfo.split(1, 0, null)).isEqualTo(new WriteResult(0, 0, 1, 0, 0));
    }
}
