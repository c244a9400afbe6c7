package dev.relato.privacy;

/**
 * The tests of {@link PersonalFieldTextTest} on fields written in the first envelope format, as stores written by
 * earlier versions hold them: they read, in every layout, alongside the compact format.
 */
class PersonalFieldFirstFormatTest extends PersonalFieldTextTest {
    @Override
    int format() {
        return FieldCrypto.FORMAT;
    }
}
