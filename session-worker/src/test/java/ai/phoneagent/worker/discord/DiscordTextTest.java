package ai.phoneagent.worker.discord;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class DiscordTextTest {

    @Test
    void phone_numbers_are_masked_to_their_last_four_digits() {
        assertThat(DiscordText.maskNumber("+14255551212")).isEqualTo("+•••••••1212");
        assertThat(DiscordText.displayParty("sip:+14255551212@sip.example.com", true)).isEqualTo("+•••••••1212");
        assertThat(DiscordText.displayParty("\"Ann\" <sip:+14255551212@sip.example.com>;tag=1", true)).isEqualTo("+•••••••1212");
    }

    @Test
    void masking_can_be_turned_off() {
        assertThat(DiscordText.displayParty("sip:+14255551212@sip.example.com", false)).isEqualTo("+14255551212");
    }

    @Test
    void a_party_that_is_not_a_number_is_hidden_when_masking_and_missing_ones_are_unknown() {
        assertThat(DiscordText.displayParty("sip:alice@example.com", true)).isEqualTo("(hidden)");
        assertThat(DiscordText.displayParty(null, true)).isEqualTo("unknown");
    }

    @Test
    void an_outbound_start_notice_names_its_launch_and_masks_the_caller_id() {
        assertThat(DiscordText.outboundStartNotice("ol_1", "+14255551212", true))
                .isEqualTo("📞 Outbound call started — launch ol_1, from +•••••••1212");
        assertThat(DiscordText.startNotice("+14255551212", "+18005551212", true)).startsWith("📞 Call started — from");
    }

    @Test
    void start_and_end_notices_are_short_and_masked() {
        assertThat(DiscordText.startNotice("sip:+14255551212@a", "sip:+18005551212@b", true))
                .contains("+•••••••1212").contains("+•••••••1212").doesNotContain("4255551212");
        assertThat(DiscordText.endNotice(Duration.ofSeconds(83), "caller_hangup"))
                .contains("1m 23s").contains("caller_hangup");
    }

    @Test
    void short_text_is_one_piece() {
        assertThat(DiscordText.split("Caller: hello", 2000)).containsExactly("Caller: hello");
    }

    @Test
    void long_text_is_split_at_word_boundaries_under_the_limit() {
        String text = "word ".repeat(1000).strip();
        var parts = DiscordText.split(text, 2000);
        assertThat(parts).hasSizeGreaterThan(1).allSatisfy(p -> assertThat(p.length()).isLessThanOrEqualTo(2000));
        assertThat(String.join(" ", parts)).isEqualTo(text);
    }

    @Property(tries = 200)
    void split_pieces_never_exceed_the_limit_and_keep_every_non_space_character(
            @ForAll @StringLength(max = 5000) String text, @ForAll @IntRange(min = 2, max = 300) int max) {
        var parts = DiscordText.split(text, max);
        assertThat(parts).allSatisfy(p -> assertThat(p.length()).isLessThanOrEqualTo(max));
        assertThat(nonSpace(String.join("", parts))).isEqualTo(nonSpace(text));
    }

    private static String nonSpace(String s) {
        StringBuilder out = new StringBuilder();
        s.chars().filter(c -> !Character.isWhitespace(c)).forEach(c -> out.append((char) c));
        return out.toString();
    }

    @Test
    void a_call_gets_a_stable_readable_username() {
        assertThat(DiscordText.username("rtc_0123456789abcdef")).isEqualTo("Call 89abcdef");
    }

    @Test
    void retry_after_comes_from_the_body_then_the_header() {
        assertThat(DiscordWebhookSink.retryAfter("{\"retry_after\":0.25}", "1")).isEqualTo(Duration.ofMillis(250));
        assertThat(DiscordWebhookSink.retryAfter("not json", "2")).isEqualTo(Duration.ofSeconds(2));
        assertThat(DiscordWebhookSink.retryAfter("", null)).isEqualTo(Duration.ofSeconds(1));
        assertThat(DiscordWebhookSink.retryAfter("{\"retry_after\":9999}", null)).isEqualTo(Duration.ofSeconds(60));
    }
}
