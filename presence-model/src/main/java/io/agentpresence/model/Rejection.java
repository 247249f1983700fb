package io.agentpresence.model;

/** Why a record is not a valid presence event. Each code is short, stable, and safe to alert on. */
public enum Rejection {
    MALFORMED_JSON("malformed-json"),
    NOT_AN_OBJECT("not-an-object"),
    DUPLICATE_FIELD("duplicate-field"),
    VALUE_TOO_LARGE("value-too-large"),
    MISSING_KEY("missing-key"),
    INVALID_KEY("invalid-key"),
    KEY_MISMATCH("key-mismatch"),
    MISSING_USER_ID("missing-user-id"),
    INVALID_USER_ID("invalid-user-id"),
    USER_ID_TOO_LONG("user-id-too-long"),
    MISSING_STATUS("missing-status"),
    INVALID_STATUS("invalid-status"),
    UNKNOWN_STATUS("unknown-status"),
    INVALID_TS("invalid-ts"),
    TS_IN_FUTURE("ts-in-future"),
    INVALID_SOURCE("invalid-source"),
    SOURCE_TOO_LONG("source-too-long"),
    INVALID_KIND("invalid-kind"),
    INVALID_DEVICE("invalid-device"),
    DEVICE_TOO_LONG("device-too-long");

    private final String code;

    Rejection(String code) {
        this.code = code;
    }

    /** The code written to logs, metrics and the dead-letter reason header. */
    public String code() {
        return code;
    }
}
