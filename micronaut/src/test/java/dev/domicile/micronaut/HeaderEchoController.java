package dev.domicile.micronaut;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import java.util.List;
import java.util.Locale;

/** A test controller that answers with the {@code X-Domicile-*} headers its request arrived with. */
@Controller("/echo")
class HeaderEchoController {

    @Post
    List<String> domicileHeaders(HttpRequest<?> request) {
        return request.getHeaders().names().stream().map(name -> name.toLowerCase(Locale.ROOT))
                .filter(name -> name.startsWith("x-domicile-")).sorted().toList();
    }

    /** The {@code X-Domicile-Forwarded} header this (write) request arrived with, or an empty string. */
    @Post("/forwarded")
    String forwardedHeader(HttpRequest<?> request) {
        return request.getHeaders().get(DomicileHeaders.FORWARDED, String.class).orElse("");
    }
}
