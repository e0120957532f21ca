package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MessageAssemblerTest {
    private final MessageAssembler assembler = new MessageAssembler(10);

    @Test
    void joinsFramesOfOneMessage() {
        assertThat(assembler.text("{\"a\"", false)).isInstanceOf(MessageAssembler.Pending.class);
        assertThat(assembler.text(":1}", true)).isEqualTo(new MessageAssembler.Text("{\"a\":1}"));
        assertThat(assembler.text("x", true)).isEqualTo(new MessageAssembler.Text("x"));
    }

    @Test
    void limitsTheWholeMessageNotEachFrame() {
        assertThat(assembler.text("123456", false)).isInstanceOf(MessageAssembler.Pending.class);
        assertThat(assembler.text("123456", false)).isInstanceOf(MessageAssembler.Pending.class);
        assertThat(assembler.text("1", true)).isInstanceOf(MessageAssembler.TooLarge.class);
        assertThat(assembler.text("ok", true)).isEqualTo(new MessageAssembler.Text("ok"));
        assertThat(assembler.text("12345678901", true)).isInstanceOf(MessageAssembler.TooLarge.class);
    }

    @Test
    void aMessageOverTheLimitKeepsTheFramesThatFit() {
        assertThat(assembler.text("123456789012", true)).isEqualTo(new MessageAssembler.TooLarge("123456789012"));
        assembler.text("123", false);
        assembler.text("4567890", false);
        assembler.text("12", false);
        assertThat(assembler.text("3", true)).isEqualTo(new MessageAssembler.TooLarge("1234567890"));
        assertThat(assembler.binary(bytes("123456789012"), true))
                .isEqualTo(new MessageAssembler.TooLarge("123456789012"));
        assembler.binary(bytes("1234"), false);
        assembler.binary(bytes("5678901"), false);
        assertThat(assembler.binary(bytes("2"), true)).isEqualTo(new MessageAssembler.TooLarge("1234"));
    }

    @Test
    void countsUtf8Bytes() {
        assertThat(MessageAssembler.utf8Length("aé€😀")).isEqualTo(1 + 2 + 3 + 4);
        assertThat(assembler.text("€€€€", true)).isInstanceOf(MessageAssembler.TooLarge.class);
        assertThat(assembler.text("€€€", true)).isInstanceOf(MessageAssembler.Text.class);
    }

    @Test
    void textHoldingTheReplacementCharacterIsNotUtf8() {
        assertThat(assembler.text("a\uFFFDb", true)).isEqualTo(new MessageAssembler.NotUtf8("a\uFFFDb", false));
        assertThat(assembler.text("caf\uFFFD", false)).isInstanceOf(MessageAssembler.Pending.class);
        assertThat(assembler.text("\uFFFD", true)).isInstanceOf(MessageAssembler.NotUtf8.class);
        assertThat(assembler.text("\\ufffd", true)).isEqualTo(new MessageAssembler.Text("\\ufffd"));
        assertThat(assembler.text("\uFFFD".repeat(4), true)).as("the size limit first")
                .isInstanceOf(MessageAssembler.TooLarge.class);
    }

    @Test
    void binaryMessagesAreReadAsUtf8Text() {
        assertThat(assembler.binary(bytes("{\"a\""), false)).isInstanceOf(MessageAssembler.Pending.class);
        assertThat(assembler.binary(bytes(":1}"), true)).isEqualTo(new MessageAssembler.Text("{\"a\":1}"));
        assertThat(assembler.binary(bytes("a\uFFFD"), true)).as("decoded strictly: the character itself is fine")
                .isEqualTo(new MessageAssembler.Text("a\uFFFD"));
        byte[] euro = bytes("€");
        assertThat(assembler.binary(new byte[] {euro[0], euro[1]}, false)).isInstanceOf(MessageAssembler.Pending.class);
        assertThat(assembler.binary(new byte[] {euro[2]}, true)).as("a character split between frames")
                .isEqualTo(new MessageAssembler.Text("€"));
        assertThat(assembler.binary(new byte[] {'x', (byte) 0xC3}, true)).isEqualTo(
                new MessageAssembler.NotUtf8("x\uFFFD", true));
    }

    @Test
    void binaryMessagesAreCountedToo() {
        assertThat(assembler.binary(bytes("12345678"), false)).isInstanceOf(MessageAssembler.Pending.class);
        assertThat(assembler.binary(bytes("12345678"), true)).isInstanceOf(MessageAssembler.TooLarge.class);
        assertThat(assembler.binary(bytes("123"), true)).isEqualTo(new MessageAssembler.Text("123"));
    }

    @Test
    void aMessageOfTheOtherKindDropsAnUnfinishedOneAndSaysSo() {
        assembler.text("12345", false);
        assertThat(assembler.droppedUnfinished()).isFalse();
        assertThat(assembler.binary(bytes("12345678"), true)).isEqualTo(new MessageAssembler.Text("12345678"));
        assertThat(assembler.droppedUnfinished()).isTrue();
        assertThat(assembler.droppedUnfinished()).as("once").isFalse();
        assembler.binary(bytes("12345"), false);
        assertThat(assembler.text("12345678", true)).isEqualTo(new MessageAssembler.Text("12345678"));
        assertThat(assembler.droppedUnfinished()).isTrue();
        assembler.text("1", true);
        assertThat(assembler.droppedUnfinished()).isFalse();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
