package io.chatapi.domain;

import java.util.Collection;

/** Who may do what to a room, its messages and bots (the authorization table of the protocol). */
public final class AccessPolicy {
    private AccessPolicy() {
    }

    /** Reading a room, its members and messages; sending, acking, typing, patching. */
    public static boolean canUseRoom(Principal who, boolean member) {
        return member || who.isAdmin();
    }

    /** A non-admin must be one of the members of the room they create. */
    public static boolean canCreateRoom(Principal who, Collection<String> members) {
        return who.isAdmin() || members.contains(who.userId());
    }

    /**
     * Members and admins add members; which users a room may gain (a dm only one of its own pair back) is a
     * separate rule.
     */
    public static boolean canAddMember(Principal who, boolean member) {
        return who.isAdmin() || member;
    }

    public static boolean canRemoveMember(Principal who, String userId) {
        return who.isAdmin() || who.userId().equals(userId);
    }

    public static boolean canEditMessage(Principal who, Message message) {
        return who.userId().equals(message.senderId());
    }

    public static boolean canDeleteMessage(Principal who, Message message) {
        return who.isAdmin() || who.userId().equals(message.senderId());
    }

    public static boolean canManageBots(Principal who) {
        return who.isAdmin();
    }

    public static boolean canAdminister(Principal who) {
        return who.isAdmin();
    }

    public static boolean canChangeHandoff(Principal who) {
        return who.isAdmin() || who.isAgent();
    }
}
