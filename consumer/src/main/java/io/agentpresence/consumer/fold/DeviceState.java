package io.agentpresence.consumer.fold;

import io.agentpresence.model.PresenceStatuses;

/**
 * What the fold knows of one device: its last status, the event time {@code lastTs} of that status, and
 * {@code lastActivity}, the fold's own wall-clock time when it last read an event or heartbeat of the device.
 * A device whose last status is {@code offline} is not live; it is kept one TTL longer only so that a late
 * event from before its {@code offline} cannot bring it back.
 */
record DeviceState(String status, long lastTs, long lastActivity) {

    boolean live() {
        return !PresenceStatuses.OFFLINE.equals(status);
    }

    DeviceState touched(long now) {
        return new DeviceState(status, lastTs, Math.max(lastActivity, now));
    }
}
