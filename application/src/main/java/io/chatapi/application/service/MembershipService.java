package io.chatapi.application.service;

import io.chatapi.application.port.in.MembershipUseCase;
import io.chatapi.application.port.out.BotStore;
import io.chatapi.application.port.out.RoomStore;
import io.chatapi.application.port.out.TimeSource;
import io.chatapi.domain.AccessPolicy;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.DmKey;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Principal;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import io.chatapi.domain.WhiteSpace;

/**
 * Adds and removes room members; a dm only takes back one of its own pair who left. A room holds at most
 * {@code maxMembers}; adding is rate limited with room changes ({@link RoomService}), leaving is not.
 */
public final class MembershipService implements MembershipUseCase {
    private final RoomStore rooms;
    private final BotStore bots;
    private final RoomAccess access;
    private final TimeSource clock;
    private final BotReplies replies;
    private final MemberLeaves leaves;
    private final int maxMembers;
    private final UserLimit changes;

    /**
     * @param replies the bot pipeline: a bot's removal from the room ends its reply, and the audience of the
     *                replies streaming there follows the members who join and leave
     * @param leaves  told when a member leaves: typing, so that nobody keeps showing them typing there, and acks,
     *                so that one who joins again starts from 0
     */
    public MembershipService(RoomStore rooms, BotStore bots, TimeSource clock, BotReplies replies,
                             MemberLeaves leaves, int maxMembers, UserLimit changes) {
        this.maxMembers = maxMembers;
        this.changes = changes;
        this.rooms = rooms;
        this.leaves = leaves;
        this.bots = bots;
        this.replies = replies;
        this.access = new RoomAccess(rooms);
        this.clock = clock;
    }

    @Override
    public void addMember(Principal caller, String roomId, String userId) {
        if (userId == null || WhiteSpace.only(userId)) {
            throw ChatException.invalid("user_id is required");
        }
        if (Principal.SYSTEM.equals(userId)) {
            throw ChatException.invalid("the user id \"system\" is reserved for the server");
        }
        MessageText.requireAtMost("user_id", userId, Principal.MAX_USER_ID_CHARS);
        Room room = access.room(roomId);
        boolean member = access.isMember(roomId, caller.userId());
        RoomAccess.require(RoomAccess.canUse(caller, member), "not a member of this room");
        if (room.type() == RoomType.DM && !ofThePair(roomId, userId)) {
            throw ChatException.invalid("a dm room cannot gain a third member");
        }
        RoomAccess.require(AccessPolicy.canAddMember(caller, member), "you may not add members to this room");
        if (room.type() == RoomType.DM && !caller.isAdmin() && rooms.keptOut(roomId, userId)) {
            throw ChatException.forbidden("an admin removed them from this dm: only an admin adds them back");
        }
        changes.take(caller);
        MemberRole role = MemberRoles.of(bots, userId);
        if (!rooms.addMember(new Member(roomId, userId, role, clock.now()), maxMembers)) {
            throw ChatException.conflict("already a member");
        }
        if (role != MemberRole.BOT) {
            replies.onMemberAdded(roomId, userId);
        }
    }

    /** Whether {@code userId} is one of the two users a direct-message room was created for. */
    private boolean ofThePair(String roomId, String userId) {
        return rooms.dmKey(roomId).map(key -> DmKey.pair(key).contains(userId)).orElse(false);
    }

    @Override
    public void removeMember(Principal caller, String roomId, String userId) {
        Room room = access.room(roomId);
        boolean member = access.isMember(roomId, caller.userId());
        RoomAccess.require(RoomAccess.canUse(caller, member), "not a member of this room");
        RoomAccess.require(AccessPolicy.canRemoveMember(caller, userId), "you may only remove yourself");
        // one of a dm's pair an admin removes stays out: opening the dm again does not add them back
        boolean keepOut = caller.isAdmin() && !caller.userId().equals(userId) && room.type() == RoomType.DM;
        if (!(keepOut ? rooms.removeKeepingOut(roomId, userId) : rooms.removeMember(roomId, userId))) {
            throw ChatException.notFound("not a member");
        }
        replies.onMemberRemoved(roomId, userId);
        leaves.memberLeft(roomId, userId);
    }
}
