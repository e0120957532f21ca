package io.chatapi.application.port.in;

import io.chatapi.domain.DeadLetter;
import io.chatapi.domain.Principal;
import java.util.List;

/** Admin views. */
public interface AdminUseCase {
    /** Newest first; {@code limit} clamped to 1..1000 (100 when < 1). */
    List<DeadLetter> deadLetters(Principal caller, int limit);
}
