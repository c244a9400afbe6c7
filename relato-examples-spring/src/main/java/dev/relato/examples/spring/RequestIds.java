package dev.relato.examples.spring;

import dev.relato.examples.orders.OrdersRequests;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request its id, as the plain example does: the client's {@value OrdersRequests#REQUEST_ID} if it
 * sent 1 to 100 printable ASCII characters, else a new UUID. The id is echoed on every answer, errors included,
 * stored as the events' correlation id and written into every problem. Thread-safe.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestIds extends OncePerRequestFilter {
    private static final String ATTRIBUTE = RequestIds.class.getName();

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String id = OrdersRequests.requestId(Optional.ofNullable(request.getHeader(OrdersRequests.REQUEST_ID)));
        request.setAttribute(ATTRIBUTE, id);
        response.setHeader(OrdersRequests.REQUEST_ID, id);
        chain.doFilter(request, response);
    }

    /** The request's id, given by this filter (a new one if the request did not pass through it). */
    static String of(HttpServletRequest request) {
        return request.getAttribute(ATTRIBUTE) instanceof String id ? id
                : OrdersRequests.requestId(Optional.empty());
    }
}
