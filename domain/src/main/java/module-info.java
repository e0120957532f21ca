/** Rooms, members, messages, bots and the rules that govern them; depends on nothing but java.base. */
module io.chatapi.domain {
    exports io.chatapi.domain;
}
