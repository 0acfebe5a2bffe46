package dev.domicile.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed EC certificate for 127.0.0.1 (subject alternative name {@code IP:127.0.0.1}), made at run time with
 * the running JDK's own {@code keytool} (no OpenSSL needed), written in the forms its users read:
 * <ul>
 *   <li>{@link #certificatePem()} and {@link #privateKeyPem()}: PEM files ({@code CERTIFICATE}, PKCS#8
 *       {@code PRIVATE KEY}) for {@code redis-server --tls-cert-file/--tls-key-file};</li>
 *   <li>{@link #trustStore()}: a PKCS12 trust store holding only the certificate, for Java clients;</li>
 *   <li>{@link #keyStore()}: a PKCS12 key store with the key and the certificate, for Java servers and for Java
 *       clients that present it (mutual TLS); its password is {@link #trustStorePassword()} too.</li>
 * </ul>
 * Valid for two days. Immutable once made.
 *
 * @param certificatePem  the certificate, PEM
 * @param privateKeyPem   its private key, unencrypted PKCS#8 PEM (test data only)
 * @param trustStore      PKCS12 trust store with the certificate as a trusted entry
 * @param trustStorePassword the trust store's password (random), also the key store's and its key's
 * @param keyStore        PKCS12 key store with the private key and the certificate
 */
public record SelfSignedCertificate(Path certificatePem, Path privateKeyPem, Path trustStore, String trustStorePassword,
                                    Path keyStore) {

    private static final String ALIAS = "domicile-redis";
    private static final long KEYTOOL_TIMEOUT_SECONDS = 60;

    /**
     * Makes a certificate and its files in {@code directory}.
     *
     * @throws TopologyException if {@code keytool} fails or the files cannot be written
     */
    public static SelfSignedCertificate create(Path directory) {
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        Path keyStore = directory.resolve("server.p12");
        try {
            Files.createDirectories(directory);
            runKeytool(List.of("-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
                    "-sigalg", "SHA256withECDSA", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1",
                    "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                    "-storepass", password, "-keypass", password), directory);
            KeyStore server = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keyStore)) {
                server.load(in, password.toCharArray());
            }
            Certificate certificate = server.getCertificate(ALIAS);
            SelfSignedCertificate made = new SelfSignedCertificate(directory.resolve("redis.crt"),
                    directory.resolve("redis.key"), directory.resolve("truststore.p12"), password, keyStore);
            Files.writeString(made.certificatePem, pem("CERTIFICATE", certificate.getEncoded()));
            Files.writeString(made.privateKeyPem,
                    pem("PRIVATE KEY", server.getKey(ALIAS, password.toCharArray()).getEncoded()));
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry(ALIAS, certificate);
            try (OutputStream out = Files.newOutputStream(made.trustStore)) {
                trust.store(out, password.toCharArray());
            }
            return made;
        } catch (IOException | GeneralSecurityException e) {
            throw new TopologyException("cannot make a self-signed certificate in " + directory + ": " + e, e);
        }
    }

    /** A client context that trusts this certificate only (hostname checks are the caller's). */
    SSLContext clientContext() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(trustStore)) {
                trust.load(in, trustStorePassword.toCharArray());
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new TopologyException("cannot read the trust store " + trustStore + ": " + e, e);
        }
    }

    /** PEM: base64 in lines of 64 characters between BEGIN and END lines. */
    static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    private static void runKeytool(List<String> arguments, Path directory) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new ArrayList<>(List.of(keytool.toString()));
        command.addAll(arguments);
        Path output = directory.resolve("keytool.out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .start();
        try {
            if (!process.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("keytool did not finish within " + KEYTOOL_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for keytool", e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("keytool exited with " + process.exitValue() + ": " + Files2.tail(output, 10));
        }
    }
}
