package io.chatapi.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {
    private final Principal admin = new Principal("root", Role.ADMIN);
    private final Principal agent = new Principal("ann", Role.AGENT);
    private final Principal user = new Principal("bob", Role.USER);

    @Test
    void onlyMembersAndAdminsUseARoom() {
        assertThat(AccessPolicy.canUseRoom(user, false)).isFalse();
        assertThat(AccessPolicy.canUseRoom(agent, false)).isFalse();
        assertThat(AccessPolicy.canUseRoom(user, true)).isTrue();
        assertThat(AccessPolicy.canUseRoom(admin, false)).isTrue();
    }

    @Test
    void aNonAdminCreatesOnlyRoomsTheyBelongTo() {
        assertThat(AccessPolicy.canCreateRoom(user, List.of("x", "y"))).isFalse();
        assertThat(AccessPolicy.canCreateRoom(user, List.of("bob", "y"))).isTrue();
        assertThat(AccessPolicy.canCreateRoom(admin, List.of("x", "y"))).isTrue();
    }

    @Test
    void membersAndAdminsAddMembers() {
        assertThat(AccessPolicy.canAddMember(user, true)).isTrue();
        assertThat(AccessPolicy.canAddMember(user, false)).isFalse();
        assertThat(AccessPolicy.canAddMember(admin, false)).isTrue();
    }

    @Test
    void messagesAreEditedBySenderAndDeletedBySenderOrAdmin() {
        Message m = new Message("msg_1", "room_2", "bob", 1, "hi", null, Instant.EPOCH, null, null);
        assertThat(AccessPolicy.canEditMessage(user, m)).isTrue();
        assertThat(AccessPolicy.canEditMessage(admin, m)).isFalse();
        assertThat(AccessPolicy.canDeleteMessage(admin, m)).isTrue();
        assertThat(AccessPolicy.canDeleteMessage(agent, m)).isFalse();
    }

    @Test
    void handoffAndBotsNeedRoles() {
        assertThat(AccessPolicy.canChangeHandoff(agent)).isTrue();
        assertThat(AccessPolicy.canChangeHandoff(user)).isFalse();
        assertThat(AccessPolicy.canManageBots(admin)).isTrue();
        assertThat(AccessPolicy.canManageBots(agent)).isFalse();
        assertThat(AccessPolicy.canRemoveMember(user, "bob")).isTrue();
        assertThat(AccessPolicy.canRemoveMember(user, "eve")).isFalse();
    }
}
