package dev.domicile.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The allocation-free checks of the save path agree with the JDK on every kind of character. */
class TextTest {

    @Test
    void utf8LengthMatchesTheJdkEncoder() {
        List<String> samples = List.of("", "ascii", "é", "€", "日本語", "😀", "a😀b", "\uD83D", "\uDE00", "x\uD83Dy",
                "\uDE00\uD83D", "mixed é€😀\u0000");
        for (String sample : samples) {
            assertThat(Text.utf8Length(sample)).as(sample).isEqualTo(sample.getBytes(StandardCharsets.UTF_8).length);
        }
        Random random = new Random(8);
        for (int i = 0; i < 10_000; i++) {
            char[] chars = new char[random.nextInt(12)];
            for (int j = 0; j < chars.length; j++) {
                chars[j] = (char) random.nextInt(Character.MAX_VALUE + 1);
            }
            String sample = new String(chars);
            assertThat(Text.utf8Length(sample)).isEqualTo(sample.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    @Test
    void controlCharactersAreFound() {
        assertThat(Text.hasControl("plain name")).isFalse();
        assertThat(Text.hasControl("tab\there")).isTrue();
        assertThat(Text.hasControl("del\u007F")).isTrue();
        assertThat(Text.hasControl("c1\u0085")).isTrue();
        assertThat(Text.hasControl("")).isFalse();
    }
}
