package io.chatapi.bootstrap;

/** Starts the server. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.out.println("chatapi");
    }
}
