package io.chatapi.adapters.ws;

import io.chatapi.adapters.ws.auth.VerifiedToken;
import io.chatapi.adapters.ws.rest.DirectAnswers;
import io.chatapi.adapters.ws.rest.HandshakeFilter;
import io.chatapi.application.port.in.StreamsUseCase.ActiveStream;
import io.chatapi.domain.ErrorCode;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One WebSocket connection's life, called by Helidon on the connection's own virtual thread: the token at the
 * upgrade, registration (with the per-user cap, presence and the mid-stream catch-up) at open, then each whole
 * message in order, and the end however it comes. Data frames of a connection that did not finish opening (over
 * the cap, or opened while the server stops) or that the server is closing are ignored: no answer, no effect.
 * A message that arrives once the server's stop has begun, before its socket is closed, is answered with an
 * {@code error} (with its {@code client_msg_id}) and not acted on.
 */
final class ChatSocketListener implements WsListener {
    private static final Logger LOG = Logger.getLogger(ChatSocketListener.class.getName());
    private static final int PROTOCOL_ERROR = 1002;
    private static final String NOT_UTF8 = "text frame is not valid UTF-8 (send U+FFFD escaped as \\ufffd)";
    private static final String NOT_UTF8_BINARY = "binary frame is not valid UTF-8";

    private final SocketServices services;
    private final MessageAssembler assembler;
    private VerifiedToken token;
    private long handshake;
    private SocketConnection connection;
    private ClientFrames frames;
    private boolean opened;

    ChatSocketListener(SocketServices services) {
        this.services = services;
        this.assembler = new MessageAssembler(services.settings().maxFrameBytes());
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        // The handshake filter, on this thread, has answered 401 to a bad token and hands over the one it checked.
        token = HandshakeFilter.checkedToken().orElseThrow(() -> new WsUpgradeException("unauthorized"));
        handshake = services.registry().nextHandshake();
        return Optional.empty();
    }

    @Override
    public void onOpen(WsSession session) {
        connection = new SocketConnection(session, handshake, token.principal(), services.registry(),
                services.metrics(), services.settings().outgoingQueueFrames());
        frames = new ClientFrames(connection, services);
        DirectAnswers.upgraded(() -> {
            try {
                session.close(PROTOCOL_ERROR, "protocol error");
            } finally {
                connection.ended();
            }
        });
        services.registry().track(connection);
        if (services.stopping().isRaised()) {
            services.shutDown(connection); // opened while the server stops: told when to come back, like the rest
            return;
        }
        if (services.registry().register(connection) == ConnectionRegistry.Registration.FULL) {
            connection.closeOverLimit();
            return;
        }
        if (services.stopping().isRaised()) {
            // the stop began between the check above and the registration, so its list may not have this socket
            services.shutDown(connection);
            return;
        }
        connection.expiresAt(token.expiresAt().orElse(null), services.settings().jwtLeeway());
        connection.caughtUp(streamsInRooms());
        opened = true;
    }

    private List<ActiveStream> streamsInRooms() {
        if (!services.useCases().streams().anyActive()) {
            return List.of();
        }
        try {
            List<String> roomIds = services.useCases().queryRooms().roomIdsOf(connection.principal());
            return frames.activeStreams(roomIds);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not read the rooms of a new connection", e);
            return List.of();
        }
    }

    /**
     * True when a data frame must not be acted on: the connection never finished opening, or is closing (a close
     * already queued, or a token that has just expired, which closes it now rather than at the next sweep).
     */
    private boolean ignored() {
        return !opened || connection.closing() || connection.closeIfExpired(System.currentTimeMillis());
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        if (ignored()) {
            return;
        }
        connection.touch();
        assembled(assembler.text(text, last));
    }

    /** A binary message is read as the UTF-8 text of a frame, as the Go server reads it. */
    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        if (ignored()) {
            return;
        }
        connection.touch();
        assembled(assembler.binary(buffer.readBytes(), last));
    }

    /**
     * Acts on what the assembler made of the frames so far. A failure nothing below answered is answered with
     * {@code internal_error} and logged: thrown to Helidon, it would close the socket with 1011 and the
     * exception's text as the reason.
     */
    private void assembled(MessageAssembler.Result result) {
        try {
            act(result);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "internal error while reading a message", e);
            connection.reply(ClientFrames.errorFrame(ErrorCode.INTERNAL, "internal error", null));
        }
    }

    private void act(MessageAssembler.Result result) {
        if (assembler.droppedUnfinished()) {
            connection.reply(ClientFrames.errorFrame(ErrorCode.INVALID_FRAME,
                    "a new message began before the previous one ended; the previous one was dropped", null));
        }
        switch (result) {
            case MessageAssembler.Text t -> handle(t.text());
            case MessageAssembler.NotUtf8 n -> connection.reply(ClientFrames.refusedUnread(ErrorCode.INVALID_FRAME,
                    n.binary() ? NOT_UTF8_BINARY : NOT_UTF8, n.text()));
            case MessageAssembler.TooLarge t -> connection.reply(ClientFrames.errorFrame(ErrorCode.PAYLOAD_TOO_LARGE,
                    "frame exceeds " + services.settings().maxFrameBytes() + " bytes",
                    ClientFrames.clientMsgIdIn(t.head())));
            case MessageAssembler.Pending p -> {
            }
        }
    }

    /** Acts on a client message, or answers it with an error once the server's stop has begun. */
    private void handle(String text) {
        if (!connection.handlingFrame()) {
            connection.reply(ClientFrames.errorFrame(ErrorCode.UNAVAILABLE,
                    "the server is stopping; send it again after reconnecting", ClientFrames.clientMsgIdIn(text)));
            return;
        }
        try {
            frames.handle(text);
        } finally {
            connection.frameHandled();
        }
    }

    @Override
    public void onPing(WsSession session, BufferData buffer) {
        connection.touch();
        connection.pong(buffer.readBytes());
    }

    @Override
    public void onPong(WsSession session, BufferData buffer) {
        connection.touch();
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        if (connection != null) {
            connection.ended();
        }
    }

    @Override
    public void onError(WsSession session, Throwable t) {
        LOG.log(Level.FINE, "socket error", t);
        if (connection != null) {
            connection.ended();
        }
    }
}
