package dev.tailsampling.controller.flink;

import dev.tailsampling.controller.ControllerState;
import dev.tailsampling.controller.ServiceState;
import dev.tailsampling.operators.SamplingTypes;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/** Explicit type information of the controller's state, so that it never falls back to Kryo. */
public final class ControllerTypes {
    public static final TypeInformation<ServiceState> SERVICE_STATE = SamplingTypes.pojo(ServiceState.class, Map.of());

    public static final TypeInformation<ControllerState> CONTROLLER_STATE = SamplingTypes.pojo(
            ControllerState.class,
            Map.of(
                    "services", Types.MAP(Types.STRING, SERVICE_STATE),
                    "pending", Types.MAP(Types.STRING, SamplingTypes.SERVICE_STATS)));

    private ControllerTypes() {}
}
