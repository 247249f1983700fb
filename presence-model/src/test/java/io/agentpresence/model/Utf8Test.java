package io.agentpresence.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Utf8Test {

    @Test
    void acceptsWellFormedTextOfEveryLength() {
        for (String s : new String[] {"", "agent-42", "é", "€", "😀", "a😀b€é", "\u07FF\u0800\uFFFD\uD83D\uDE00"}) {
            assertThat(Utf8.isValid(s.getBytes(StandardCharsets.UTF_8))).as(s).isTrue();
        }
    }

    @Test
    void rejectsWhatAStrictDecoderRejects() {
        byte[][] bad = {
            {(byte) 0x80},                                  // continuation without lead
            {(byte) 0xC0, (byte) 0xAF},                     // overlong '/'
            {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},        // overlong
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80},        // UTF-16 surrogate
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // beyond U+10FFFF
            {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80},
            {(byte) 0xE2, (byte) 0x82},                     // truncated
            {'a', (byte) 0xFF},
        };
        for (byte[] b : bad) {
            assertThat(Utf8.isValid(b)).isFalse();
        }
    }

    @Test
    void agreesWithTheJdkStrictDecoderOnRandomBytes() {
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 200_000; i++) {
            byte[] b = new byte[random.nextInt(1, 8)];
            for (int j = 0; j < b.length; j++) {
                b[j] = (byte) random.nextInt(256);
            }
            assertThat(Utf8.isValid(b)).as("bytes %s", java.util.Arrays.toString(b)).isEqualTo(jdkAccepts(b));
        }
    }

    private static boolean jdkAccepts(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
