package io.agentpresence.cli;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;

/**
 * A loopback stand-in for a one-node Kafka cluster that answers just what a {@code set} asks, so that
 * {@link ClassDataWorkload} runs the producer's whole round trip, responses included, with no broker around:
 * API versions, metadata (every topic asked for has one partition, led by this node), a producer id, and a produce
 * acknowledged at offset 0. Anything else is answered with an error. Records are read and dropped.
 */
final class StandInBroker implements AutoCloseable {

    private static final int NODE_ID = 0;

    private final ServerSocket server;
    private final Map<String, Uuid> topicIds = new ConcurrentHashMap<>();

    StandInBroker() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "presence-stand-in-broker");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String bootstrapServers() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket connection = server.accept();
                Thread serving = new Thread(() -> serve(connection), "presence-stand-in-connection");
                serving.setDaemon(true);
                serving.start();
            } catch (IOException e) {
                // closed at the end of the workload; the loop ends with it
            }
        }
    }

    /** Answers the requests of one connection in order, as a broker does, until the client hangs up. */
    private void serve(Socket connection) {
        try (connection;
             DataInputStream in = new DataInputStream(connection.getInputStream());
             DataOutputStream out = new DataOutputStream(connection.getOutputStream())) {
            while (true) {
                byte[] frame = new byte[in.readInt()];
                in.readFully(frame);
                ByteBuffer response = answer(ByteBuffer.wrap(frame));
                out.writeInt(response.remaining());
                out.write(response.array(), response.arrayOffset() + response.position(), response.remaining());
                out.flush();
            }
        } catch (IOException e) {
            // the client hung up (a probe, or the producer closing): nothing more to answer on this connection
        }
    }

    private ByteBuffer answer(ByteBuffer frame) {
        RequestHeader header = RequestHeader.parse(frame);
        ApiKeys api = header.apiKey();
        short version = header.apiVersion();
        AbstractRequest request = AbstractRequest.parseRequest(api, version, new ByteBufferAccessor(frame)).request;
        ApiMessage body = switch (api) {
            case API_VERSIONS -> apiVersions();
            case METADATA -> metadata((MetadataRequestData) request.data());
            case INIT_PRODUCER_ID -> new InitProducerIdResponseData().setProducerId(1).setProducerEpoch((short) 0);
            case PRODUCE -> produced((ProduceRequestData) request.data());
            default -> request.getErrorResponse(0, Errors.UNSUPPORTED_VERSION.exception()).data();
        };
        ResponseHeaderData responseHeader = new ResponseHeaderData().setCorrelationId(header.correlationId());
        return RequestUtils.serialize(responseHeader, api.responseHeaderVersion(version), body, version);
    }

    /** The client's own APIs, but not client telemetry, which a plain broker does not take either. */
    private static ApiVersionsResponseData apiVersions() {
        ApiVersionsResponseData.ApiVersionCollection versions = new ApiVersionsResponseData.ApiVersionCollection();
        for (ApiKeys api : ApiKeys.clientApis()) {
            if (api != ApiKeys.GET_TELEMETRY_SUBSCRIPTIONS && api != ApiKeys.PUSH_TELEMETRY) {
                versions.add(new ApiVersionsResponseData.ApiVersion().setApiKey(api.id)
                        .setMinVersion(api.oldestVersion()).setMaxVersion(api.latestVersion()));
            }
        }
        return new ApiVersionsResponseData().setApiKeys(versions);
    }

    private MetadataResponseData metadata(MetadataRequestData request) {
        MetadataResponseData.MetadataResponseBrokerCollection brokers =
                new MetadataResponseData.MetadataResponseBrokerCollection();
        brokers.add(new MetadataResponseData.MetadataResponseBroker().setNodeId(NODE_ID).setHost("127.0.0.1")
                .setPort(server.getLocalPort()));
        MetadataResponseData.MetadataResponseTopicCollection topics =
                new MetadataResponseData.MetadataResponseTopicCollection();
        for (MetadataRequestData.MetadataRequestTopic asked : request.topics() == null
                ? List.<MetadataRequestData.MetadataRequestTopic>of() : request.topics()) {
            topics.add(new MetadataResponseData.MetadataResponseTopic().setName(asked.name())
                    .setTopicId(topicId(asked.name()))
                    .setPartitions(List.of(new MetadataResponseData.MetadataResponsePartition().setPartitionIndex(0)
                            .setLeaderId(NODE_ID).setLeaderEpoch(0).setReplicaNodes(List.of(NODE_ID))
                            .setIsrNodes(List.of(NODE_ID)))));
        }
        return new MetadataResponseData().setClusterId("presence-stand-in").setControllerId(NODE_ID)
                .setBrokers(brokers).setTopics(topics);
    }

    private static ProduceResponseData produced(ProduceRequestData request) {
        ProduceResponseData.TopicProduceResponseCollection responses =
                new ProduceResponseData.TopicProduceResponseCollection();
        for (ProduceRequestData.TopicProduceData topic : request.topicData()) {
            responses.add(new ProduceResponseData.TopicProduceResponse().setName(topic.name())
                    .setTopicId(topic.topicId())
                    .setPartitionResponses(topic.partitionData().stream()
                            .map(partition -> new ProduceResponseData.PartitionProduceResponse()
                                    .setIndex(partition.index()).setBaseOffset(0).setLogAppendTimeMs(-1))
                            .toList()));
        }
        return new ProduceResponseData().setResponses(responses);
    }

    private Uuid topicId(String topic) {
        return topicIds.computeIfAbsent(topic, name -> Uuid.randomUuid());
    }
}
