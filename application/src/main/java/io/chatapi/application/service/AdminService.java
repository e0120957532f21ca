package io.chatapi.application.service;

import io.chatapi.application.port.in.AdminUseCase;
import io.chatapi.application.port.in.HealthQuery;
import io.chatapi.application.port.out.DeliveryStore;
import io.chatapi.application.port.out.StoreUnavailableException;
import io.chatapi.domain.AccessPolicy;
import io.chatapi.domain.DeadLetter;
import io.chatapi.domain.Principal;
import java.util.List;

/** Dead letters for admins, and the health probe. */
public final class AdminService implements AdminUseCase, HealthQuery {
    private final DeliveryStore deliveries;

    public AdminService(DeliveryStore deliveries) {
        this.deliveries = deliveries;
    }

    @Override
    public List<DeadLetter> deadLetters(Principal caller, int limit) {
        RoomAccess.require(AccessPolicy.canAdminister(caller), "admins only");
        int clamped = limit < 1 ? 100 : Math.min(limit, 1000);
        return deliveries.deadLetters(clamped);
    }

    @Override
    public boolean databaseWritable() {
        try {
            return deliveries.writable();
        } catch (StoreUnavailableException e) {
            return false;
        }
    }
}
