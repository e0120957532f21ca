package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;

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
        assertThat(assembler.binary(11, true)).isEqualTo(new MessageAssembler.TooLarge(""));
    }

    @Test
    void countsUtf8Bytes() {
        assertThat(MessageAssembler.utf8Length("aé€😀")).isEqualTo(1 + 2 + 3 + 4);
        assertThat(assembler.text("€€€€", true)).isInstanceOf(MessageAssembler.TooLarge.class);
        assertThat(assembler.text("€€€", true)).isInstanceOf(MessageAssembler.Text.class);
    }

    @Test
    void textHoldingTheReplacementCharacterIsNotUtf8() {
        assertThat(assembler.text("a\uFFFDb", true)).isInstanceOf(MessageAssembler.NotUtf8.class);
        assertThat(assembler.text("caf\uFFFD", false)).isInstanceOf(MessageAssembler.Pending.class);
        assertThat(assembler.text("\uFFFD", true)).isInstanceOf(MessageAssembler.NotUtf8.class);
        assertThat(assembler.text("\\ufffd", true)).isEqualTo(new MessageAssembler.Text("\\ufffd"));
        assertThat(assembler.text("\uFFFD".repeat(4), true)).as("the size limit first")
                .isInstanceOf(MessageAssembler.TooLarge.class);
    }

    @Test
    void binaryMessagesAreCountedToo() {
        assertThat(assembler.binary(8, false)).isInstanceOf(MessageAssembler.Pending.class);
        assertThat(assembler.binary(8, true)).isInstanceOf(MessageAssembler.TooLarge.class);
        assertThat(assembler.binary(3, true)).isInstanceOf(MessageAssembler.Binary.class);
    }
}
