package io.chatapi.domain;

/** When bots answer and when a human takes a room. */
public final class HandoffPolicy {
    private HandoffPolicy() {
    }

    /** Bots answer human messages only, never system markers or other bots, and only in state bot. */
    public static boolean botsAnswer(Room room, Message trigger, boolean senderIsBot) {
        return !room.handoff().human() && !senderIsBot && !trigger.fromSystem();
    }

    /**
     * An agent writing in a room that has a bot takes the room first when it is in state bot, or in state human
     * with no agent yet (handed over by the webhook, or by an admin naming none) or with an agent who is no longer
     * a member (left or was removed): the room then shows who has it.
     */
    public static boolean agentTakesOver(Principal sender, Room room, boolean roomHasBot, boolean agentIsMember) {
        return sender.isAgent() && roomHasBot
                && (!room.handoff().human() || room.handoff().agentId() == null || !agentIsMember);
    }
}
