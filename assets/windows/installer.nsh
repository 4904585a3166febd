; openEO Auth Tray's command line on the user's PATH. electron-builder includes this file
; (electron-builder.yml: nsis.include); the installer puts bin\openeo-auth-tray.cmd beside the app
; (win.extraFiles). customInstall adds that folder to the user's PATH (HKCU\Environment, kept a
; REG_EXPAND_SZ so that %USERPROFILE%-style entries stay as they are) once; customUnInstall takes
; it out again. A PATH that cannot be read whole (longer than NSIS's strings) is left alone.
; Compiled by test/app/windows-installer.test.ts with makensis -WX, in both of electron-builder's
; passes (the installer, and the uninstaller with BUILD_UNINSTALLER); it has not run on Windows here.

!include "WinMessages.nsh"

!ifndef BUILD_UNINSTALLER
; $R0: a PATH value, $R1: a folder. $R2 = 1 when one of the ;-separated entries is the folder
; (with or without a trailing \; NSIS compares without regard to case), else 0.
Function OatPathHas
  Push $R3
  Push $R4
  Push $R5
  StrCpy $R2 0
  StrCpy $R3 0
  StrCpy $R4 ""
  oat_next:
    StrCpy $R5 $R0 1 $R3
    StrCmp $R5 "" oat_last
    StrCmp $R5 ";" oat_entry
    StrCpy $R4 "$R4$R5"
    IntOp $R3 $R3 + 1
    Goto oat_next
  oat_entry:
    StrCmp $R4 $R1 oat_found
    StrCmp $R4 "$R1\" oat_found
    StrCpy $R4 ""
    IntOp $R3 $R3 + 1
    Goto oat_next
  oat_last:
    StrCmp $R4 $R1 oat_found
    StrCmp $R4 "$R1\" oat_found oat_done
  oat_found:
    StrCpy $R2 1
  oat_done:
  Pop $R5
  Pop $R4
  Pop $R3
FunctionEnd

; $R2 = 1 when HKCU\Environment has a value named Path (whatever its length), else 0.
Function OatPathValueExists
  Push $R3
  Push $R4
  StrCpy $R2 0
  StrCpy $R3 0
  oat_enum:
    ClearErrors
    EnumRegValue $R4 HKCU "Environment" $R3
    IfErrors oat_enum_done
    StrCmp $R4 "" oat_enum_done
    StrCmp $R4 "Path" 0 +3
      StrCpy $R2 1
      Goto oat_enum_done
    IntOp $R3 $R3 + 1
    Goto oat_enum
  oat_enum_done:
  Pop $R4
  Pop $R3
FunctionEnd
!endif

!ifdef BUILD_UNINSTALLER
; $R0: a PATH value, $R1: a folder. $R2 = the value without the entries that are the folder
; (with or without a trailing \); every other entry stays, in its order.
Function un.OatPathWithout
  Push $R3
  Push $R4
  Push $R5
  StrCpy $R2 ""
  StrCpy $R3 0
  StrCpy $R4 ""
  oat_un_next:
    StrCpy $R5 $R0 1 $R3
    StrCmp $R5 "" oat_un_entry
    StrCmp $R5 ";" oat_un_entry
    StrCpy $R4 "$R4$R5"
    IntOp $R3 $R3 + 1
    Goto oat_un_next
  oat_un_entry:
    StrCmp $R4 $R1 oat_un_skip
    StrCmp $R4 "$R1\" oat_un_skip
    StrCmp $R2 "" 0 +3
      StrCpy $R2 $R4
      Goto oat_un_skip
    StrCpy $R2 "$R2;$R4"
  oat_un_skip:
    StrCpy $R4 ""
    StrCmp $R5 "" oat_un_done
    IntOp $R3 $R3 + 1
    Goto oat_un_next
  oat_un_done:
  Pop $R5
  Pop $R4
  Pop $R3
FunctionEnd
!endif

!macro customInstall
  Push $R0
  Push $R1
  Push $R2
  StrCpy $R1 "$INSTDIR\bin"
  ClearErrors
  ReadRegStr $R0 HKCU "Environment" "Path"
  IfErrors 0 oat_have_path
    Call OatPathValueExists
    StrCmp $R2 1 0 oat_new_path
      DetailPrint "openeo-auth-tray: your PATH is too long to change safely; add $R1 to it yourself."
      Goto oat_install_done
    oat_new_path:
      WriteRegExpandStr HKCU "Environment" "Path" $R1
      Goto oat_install_changed
  oat_have_path:
    Call OatPathHas
    StrCmp $R2 1 oat_install_done
    StrCmp $R0 "" 0 +3
      WriteRegExpandStr HKCU "Environment" "Path" $R1
      Goto oat_install_changed
    WriteRegExpandStr HKCU "Environment" "Path" "$R0;$R1"
  oat_install_changed:
    DetailPrint "openeo-auth-tray: $R1 is now on your PATH (in new terminals)."
    SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
  oat_install_done:
  Pop $R2
  Pop $R1
  Pop $R0
!macroend

!macro customUnInstall
  Push $R0
  Push $R1
  Push $R2
  StrCpy $R1 "$INSTDIR\bin"
  ClearErrors
  ReadRegStr $R0 HKCU "Environment" "Path"
  IfErrors oat_uninstall_done
  Call un.OatPathWithout
  StrCmp $R2 $R0 oat_uninstall_done
  StrCmp $R2 "" 0 +3
    DeleteRegValue HKCU "Environment" "Path"
    Goto oat_uninstall_changed
  WriteRegExpandStr HKCU "Environment" "Path" $R2
  oat_uninstall_changed:
    SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
  oat_uninstall_done:
  Pop $R2
  Pop $R1
  Pop $R0
!macroend
