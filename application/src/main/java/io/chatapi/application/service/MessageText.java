package io.chatapi.application.service;

import io.chatapi.domain.ChatException;
import io.chatapi.domain.Member;
import java.util.ArrayList;
import java.util.List;

/** Content rules shared by sending and editing, and member-list helpers. */
final class MessageText {
    private MessageText() {
    }

    /** Content must be non-blank and at most {@code maxChars} UTF-16 code units. */
    static void requireContent(String content, int maxChars) {
        if (content == null || content.isBlank()) {
            throw ChatException.invalid("content is required");
        }
        if (content.length() > maxChars) {
            throw ChatException.tooLarge("content is longer than " + maxChars + " characters");
        }
    }

    static List<String> userIds(List<Member> members) {
        List<String> ids = new ArrayList<>(members.size());
        for (Member member : members) {
            ids.add(member.userId());
        }
        return ids;
    }
}
